app_name = "calldesk"

urlpatterns = []
