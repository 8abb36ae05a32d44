from django.urls import path

from committee import views

app_name = "committee"

urlpatterns = [
    path("committee/seats/", views.seats, name="seats"),
    path("committee/seats/<str:username>/end/", views.seat_end_view, name="seat_end"),
    path("account/", views.account, name="account"),
    path("account/token/", views.token_create_view, name="token_create"),
    path("account/token/revoke/", views.token_revoke_view, name="token_revoke"),
]
