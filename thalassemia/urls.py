app_name = "thalassemia"

urlpatterns = []
