app_name = "camps"

urlpatterns = []
